"""The Streamlit side, by domain like the services: app/ui/<domain>/ holds each domain's pieces (the
composer, the calendar grid, the inbox...), widgets/ what every page shares (charts, tiles, tables, user
text), shell/ the frame every page runs in (first start, sign-in, navigation, filters, banners), and
context the page context they all read. Pages and the entrypoint import from here; services never do."""
