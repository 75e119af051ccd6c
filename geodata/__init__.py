"""geodata: the shipped Morocco dataset (curated facts as text; built layers from census packages)."""
