"""The domain: every rule of the product lives here, behind functions that take a session and the
acting user, check the permission themselves and write the audit log. No Streamlit import, ever.

One package per domain, each importing only those below it (pyproject.toml's import contract):
core < org < strategy < platforms < sops < content < approvals < publishing < community < crisis <
measurement < reports < ops. Each names its public API in `__all__`; nothing outside a domain reaches past it."""
