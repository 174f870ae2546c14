//! The editorial calendar: calendar entries with Annexe 5's fields and one
//! variant per network, the approval chain as a state machine over the profile's chains
//! (S2 Annexe 4), the postponement planner, and the iCalendar and CSV exports.
//! Pure: the store keeps entries, the web and the command line call in here to decide.

mod chain;
mod entry;
mod export_csv;
mod ical;
mod postpone;

pub use chain::{
    ChainActor, ChainError, ChainState, Decision, DecisionKind, EntryStatus, Transition, decide,
    start, withdraw,
};
pub use entry::{
    EditorialError, EntryContent, EntryId, LIVE_VIDEO_CRITERIA_FR, LiveVideoAssessment, Media,
    SuggestionDocumentation, Variant, link_with_utm,
};
pub use export_csv::{CSV_COLUMNS, entries_to_csv};
pub use ical::{CalendarEvent, calendar_to_ics, fold_line};
pub use postpone::{PlannedMove, PostponeError, PostponeRequest, ScheduledItem, plan_postponement};
