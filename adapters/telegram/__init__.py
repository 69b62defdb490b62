"""Adempauze on Telegram (python-telegram-bot v22): `build(settings, dialogue, clock)` gives the adapter."""
