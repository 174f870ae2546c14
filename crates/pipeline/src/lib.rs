//! The intake pipeline: store first, then moderate, triage, assign and plan deadlines.
