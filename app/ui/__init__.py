"""Shared Streamlit pieces: the app shell (bootstrap, sign-in, navigation, filters, banners), charts and
tables. Pages and the entrypoint import from here; services never do."""
