import Type from 'typebox'
import { EmailSchema, FullNameSchema, PasswordSchema, UserSchema } from '../users/schemas.js'

export const RegisterSchema = Type.Object({
  email: EmailSchema,
  password: PasswordSchema,
  fullName: FullNameSchema,
}, { additionalProperties: false })

export const LoginSchema = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: PasswordSchema,
}, { additionalProperties: false })

export const RefreshSchema = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false })

export const LogoutSchema = Type.Object({ refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false })

export const TokenGrantSchema = Type.Object({
  user: UserSchema,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
})
