//! The store side of inbox (filled in by the work on this area).
