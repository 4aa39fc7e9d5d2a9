"""The policy decision log: every change of rationing policy, versioned, with who, when, why and the crisis phase.

Priority tiers, allocation amounts, norm caps, substitution classes, the minimum shelf life and the crisis phase
are policy. Each change appends one `PolicyVersion` (append-only in the database); its id is the policy version,
and every approval or rejection of a request stores the version it was made under, so an inquiry can ask which
rule was in force for any decision, and who set it.
"""
