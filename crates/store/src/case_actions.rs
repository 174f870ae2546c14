//! The store side of case_actions (filled in by the work on this area).
