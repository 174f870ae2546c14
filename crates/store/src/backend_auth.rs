// SQL of auth, written once for both backends (included by sqlite.rs and postgres.rs).
