// SQL of inbox, written once for both backends (included by sqlite.rs and postgres.rs).
