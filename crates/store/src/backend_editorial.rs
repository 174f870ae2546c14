// SQL of editorial, written once for both backends (included by sqlite.rs and postgres.rs).
