import { defineErrors } from '@lms/kit'

/** Every error the gateway itself answers with (upstream errors pass through untouched). */
export const gatewayErrors = defineErrors({
  GW_ERR_UNAUTHORIZED: { status: 401, message: 'A valid access token is required' },
  GW_ERR_SESSION_ENDED: { status: 401, message: 'The session has ended' },
  GW_ERR_BAD_PATH: { status: 400, message: 'The path contains a dot segment' },
  GW_ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  GW_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests; retry later' },
  GW_ERR_LOGIN_LOCKED: { status: 429, message: 'Too many failed logins for this account; retry later or reset the password' },
  GW_ERR_UPSTREAM_FAILED: { status: 502, message: 'The service answered with an invalid response' },
  GW_ERR_UPSTREAM_UNAVAILABLE: { status: 503, message: 'The service is unavailable; retry later' },
  GW_ERR_CIRCUIT_OPEN: { status: 503, message: 'The service is failing; requests are paused briefly' },
  GW_ERR_DEPENDENCY_UNAVAILABLE: { status: 503, message: 'The gateway cannot reach its session store' },
  GW_ERR_UPSTREAM_TIMEOUT: { status: 504, message: 'The service did not answer in time' },
})
