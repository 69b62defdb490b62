"""The Discord adapter (discord.py): slash commands, persistent buttons and DMs over the Dialogue. See app.py."""
