//! The records the store keeps: organisations, accounts, messages, authors, cases, assignments, posts, users.
