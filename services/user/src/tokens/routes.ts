import Type, { type Static } from 'typebox'
import type { App } from '@lms/kit'
import type { TokenSigner } from './signing-keys.js'

const JwkSetSchema = Type.Object({
  keys: Type.Array(Type.Object({
    kty: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String(), n: Type.String(), e: Type.String(),
  })),
})

export async function jwksRoutes(app: App, opts: { signer: TokenSigner }) {
  app.get('/.well-known/jwks.json', {
    schema: { tags: ['auth'], summary: 'Public keys that verify access tokens', response: { 200: JwkSetSchema } },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300')
    return opts.signer.jwks() as Static<typeof JwkSetSchema>
  })
}
