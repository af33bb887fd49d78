# No input variables: what differs per environment is written in backend.tf
# (state, name, region, CIDR) and main.tf (sizes), reviewed like code.
