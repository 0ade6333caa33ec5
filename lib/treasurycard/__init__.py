"""The Treasury Card: data access and event-study estimation for the book."""
