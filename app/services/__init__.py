"""Every rule and every write: plain functions taking a Session and the acting person."""
