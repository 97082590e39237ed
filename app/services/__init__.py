"""The domain: every rule of the product lives here, behind functions that take a session and the
acting user, check the permission themselves and write the audit log. No Streamlit import, ever."""
