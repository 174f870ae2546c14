//! Business-time arithmetic: deadlines counted in the organisation's office hours, skipping
//! weekends and holidays, in its time zone.

/// How much time a response stage is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// Time counted only inside business hours (e.g. 1 h 30 of business time).
    Business(jiff::SignedDuration),
    /// Wall-clock time, every hour of every day (e.g. the 24-hour fallback of R-25).
    Clock(jiff::SignedDuration),
    /// Whole business days (a business day is one day's worth of business hours).
    BusinessDays(u32),
}

/// Tells whether a civil date is a holiday (not a business day). The profile's holiday
/// calendar implements it; tests may use a fixed set.
pub trait HolidaySource: Send + Sync {
    fn is_holiday(&self, date: jiff::civil::Date) -> bool;
}
