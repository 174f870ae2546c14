//! The store side of editorial (filled in by the work on this area).
