//! Notifications by e-mail through SMTP: deadline warnings, breaches escalated to managers, urgent pages.
