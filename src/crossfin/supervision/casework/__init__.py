"""Cases: alerts worked by analysts from open to closed (docs/supervision.md, "Cases")."""
