//! The policy profile.
