"""The scheduling daemon: APScheduler jobs, signals, sd_notify, structured logs, settings."""
