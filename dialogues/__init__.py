"""Trade Dialogue threads, moderation and weekly digests."""
