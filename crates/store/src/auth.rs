//! The store side of auth (filled in by the work on this area).
