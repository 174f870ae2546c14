// SQL of case_actions, written once for both backends (included by sqlite.rs and postgres.rs).
