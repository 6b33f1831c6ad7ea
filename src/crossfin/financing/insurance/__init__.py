"""F4 insurance claims: the insurer records a claim paid on a policy under a financing,
the proceeds assigned to the financing's bank (docs/financing.md, "F4 insurance claims")."""
