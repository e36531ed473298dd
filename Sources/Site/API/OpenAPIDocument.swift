/// The API's OpenAPI 3.1 description, served at `GET /api/openapi.json`. Hand-written and kept
/// next to the code it describes; the lists that code already has (the providers, the error
/// codes) are filled in from it, and the API tests validate every real response against these
/// schemas, so the two cannot drift apart unnoticed.
enum OpenAPIDocument {
    /// The document for a site that knows `providers` (every registered id, enabled or not).
    static func json(providers: [String]) -> String {
        func list(_ words: [String]) -> String { words.map { "\"\($0)\"" }.joined(separator: ", ") }
        return template.replacingOccurrences(of: "__PROVIDERS__", with: list(providers))
            .replacingOccurrences(of: "__ERROR_CODES__", with: list(APIError.Code.allCases.map(\.rawValue)))
    }

    private static let template = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Latchkey API",
    "version": "1.0.0",
    "description": "Sign in with a provider token obtained by a front end, then call the API with a bearer token. No cookies, no CSRF tokens. Every error is {\"error\": code, \"message\": text}."
  },
  "servers": [{"url": "/"}],
  "paths": {
    "/api/auth/social": {
      "post": {
        "operationId": "socialSignIn",
        "summary": "Sign in (or up) with a provider token; with a bearer token, link the social account to that user instead.",
        "description": "The provider token's audience is checked first (GitHub applications/{client_id}/token, Facebook debug_token, LinkedIn introspectToken, RFC 7662 introspection for the sibling provider, the id_token's aud for generic OpenID Connect). Limited per client IP (API_RATE_LIMIT per minute).",
        "security": [{}, {"bearer": []}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SocialSignInRequest"}}}
        },
        "responses": {
          "200": {"description": "Signed in to an existing account, or (with a bearer token) linked to it.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignInResult"}}}},
          "201": {"description": "A new account was created.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignInResult"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "409": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"},
          "429": {"$ref": "#/components/responses/Error"},
          "502": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/me": {
      "get": {
        "operationId": "me",
        "summary": "The user the bearer token belongs to.",
        "security": [{"bearer": []}],
        "responses": {
          "200": {"description": "The user.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}}},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/logout": {
      "post": {
        "operationId": "logout",
        "summary": "Revoke the bearer token.",
        "security": [{"bearer": []}],
        "responses": {
          "204": {"description": "Revoked; the token no longer works."},
          "401": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/openapi.json": {
      "get": {
        "operationId": "openAPI",
        "summary": "This document.",
        "security": [{}],
        "responses": {
          "200": {"description": "The OpenAPI 3.1 document.", "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /api/auth/social: lk_ followed by 43 base64url characters."}
    },
    "responses": {
      "Error": {"description": "An error.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "SocialSignInRequest": {
        "type": "object",
        "required": ["provider", "access_token"],
        "properties": {
          "provider": {"type": "string", "enum": [__PROVIDERS__]},
          "access_token": {"type": "string", "minLength": 1},
          "id_token": {"type": "string", "description": "Required for oidc: its aud must be our client id."}
        }
      },
      "User": {
        "type": "object",
        "required": ["id", "username", "email", "email_verified", "is_admin", "created_at"],
        "additionalProperties": false,
        "properties": {
          "id": {"type": "integer"},
          "username": {"type": "string"},
          "email": {"type": ["string", "null"]},
          "email_verified": {"type": "boolean"},
          "is_admin": {"type": "boolean"},
          "created_at": {"type": "integer", "description": "Unix seconds."}
        }
      },
      "SignInResult": {
        "type": "object",
        "required": ["user", "token", "expires_at"],
        "additionalProperties": false,
        "properties": {
          "user": {"$ref": "#/components/schemas/User"},
          "token": {"type": "string", "description": "Send as Authorization: Bearer <token>."},
          "expires_at": {"type": "integer", "description": "Unix seconds (API_TOKEN_TTL after issue, 30 days by default)."}
        }
      },
      "Me": {
        "type": "object",
        "required": ["user", "token_expires_at"],
        "additionalProperties": false,
        "properties": {
          "user": {"$ref": "#/components/schemas/User"},
          "token_expires_at": {"type": "integer", "description": "Unix seconds."}
        }
      },
      "Error": {
        "type": "object",
        "required": ["error", "message"],
        "additionalProperties": false,
        "properties": {
          "error": {
            "type": "string",
            "enum": [__ERROR_CODES__]
          },
          "message": {"type": "string"}
        }
      }
    }
  }
}
"""#
}
