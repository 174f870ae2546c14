//! Sign-in, sessions, CSRF, lock-out and API tokens over real HTTP on a real server (port 0,
//! fresh SQLite database), and the matrix of roles × routes (`matrix.rs`).

#![allow(clippy::unwrap_used)]

mod flows;
mod matrix;
mod oidc;
