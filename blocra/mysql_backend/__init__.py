"""Django's MySQL/MariaDB backend with the driver and the case-insensitive lookups BlocRA needs (base.py)."""
