//! Audit events: who did what, when, before/after, under which clause or rule.
