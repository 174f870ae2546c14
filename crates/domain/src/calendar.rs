//! The business calendar: office-hour windows per weekday and the holiday calendar.
