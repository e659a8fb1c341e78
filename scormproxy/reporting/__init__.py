"""Durable reporting of course results to Open eLMS: the outbox and its worker."""
