"""The pure core: no database, no templates, no network, no clock."""
