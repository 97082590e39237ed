"""SocialOps Hub: a self-hosted social media operations hub (see README.md and ARCHITECTURE.md)."""
