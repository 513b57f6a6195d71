"""Shelter and public Wi-Fi checks (計画 4-3-3): the public zone stays apart from administration."""
