import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Storage
import Web

/// The providers page (what is configured, and exactly what to register with each provider) and
/// the site's own provider connections (a Facebook Page token the site acts with).
extension AdminController {
    @Sendable func providers(_ request: Request, context: RequestContext) async throws -> View {
        let origin = services.configuration.origin(for: request)
        var rows: [MustacheValue] = []
        for entry in services.social.registry.entries {
            var scopes = "", discovery: MustacheValue = .null
            if entry.isEnabled, entry.discoveryURL != nil {
                // Checked afresh on every visit, so the page shows whether discovery answers now.
                do {
                    try await entry.checkDiscovery()
                    discovery = ["ok": true]
                } catch {
                    context.logger.warning("provider_discovery_failed", ["provider": entry.id, "discovery_url": entry.discoveryURL ?? "",
                                                                         "reason": "\(error)"])
                    discovery = ["ok": false, "reason": .string("\(error)")]
                }
            }
            if entry.isEnabled, let definition = try? await services.social.definition(of: entry.id) {
                scopes = definition.scopes.joined(separator: " ")
            }
            rows.append(["id": .string(entry.id), "name": .string(entry.displayName), "enabled": .bool(entry.isEnabled),
                         "reason": entry.disabledReason.map { .string(Self.notSet(entry.missingSettings, context.translator) ?? $0) } ?? .null,
                         "discovery": discovery,
                         "callbackURL": .string(SocialController.callbackURL(origin: origin, provider: entry.id)),
                         "scopes": .string(scopes), "note": entry.note.map(MustacheValue.string) ?? .null])
        }
        return Page(context, title: context.translator.text("Providers"), [
            "providers": .list(rows),
            "baseURLSet": .bool(services.configuration.baseURL != nil),
        ]).view("site/admin/providers")
    }

    /// "GITHUB_CLIENT_SECRET is not set", "A, B and C are not set"; nil for no names.
    static func notSet(_ names: [String], _ translator: Translator) -> String? {
        guard let last = names.last else { return nil }
        let list = names.count == 1 ? last
            : translator.text("{{names}} and {{last}}", ["names": names.dropLast().joined(separator: ", "), "last": last])
        return translator.plural(one: "{{names}} is not set", other: "{{names}} are not set", count: names.count, ["names": list])
    }

    private var credentials: SiteCredentialService {
        SiteCredentialService(database: services.database, keys: services.keys, registry: services.social.registry)
    }

    @Sendable func siteConnections(_ request: Request, context: RequestContext) async throws -> View {
        let credentials = credentials
        let now = Clock.now, translator = context.translator
        var rows: [MustacheValue] = []
        for stored in try await credentials.all() {
            // Asked live, so the page shows what Facebook says now; an unreachable Facebook shows the last answer.
            var current = stored
            var checkFailed = false
            do { current = try await credentials.check(id: stored.id, now: now) } catch { checkFailed = true }
            rows.append(["id": .int(Int(current.id)), "provider": .string(providerName(current.provider)), "pageID": .string(current.externalID),
                         "valid": .bool(current.isValid), "type": .string(current.tokenType ?? translator.text("unknown")),
                         "expires": .string(current.expiresAt.map(translator.dateTime) ?? translator.text("never")),
                         "checked": .string(current.checkedAt.map(translator.dateTime) ?? translator.text("never")),
                         "checkFailed": .bool(checkFailed),
                         "token": .string((try? await credentials.maskedToken(id: current.id)) ?? translator.text("unreadable"))])
        }
        return Page(context, title: translator.text("Site connections"), [
            "connections": .list(rows), "hasConnections": .bool(!rows.isEmpty),
            "facebookEnabled": .bool(services.social.registry.entry("facebook")?.isEnabled == true),
        ]).view("site/admin/site-connections")
    }

    @Sendable func connectSiteCredential(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context)
        let form = try request.form()
        let pageID = (form["page_id"] ?? "").trimmingCharacters(in: .whitespaces)
        let token = (form["access_token"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let stored = try await credentials.connectFacebookPage(pageID: pageID, token: token, actor: admin.id, ip: ip(request), now: Clock.now)
            context.session.flash(context.translator.text("Connected Facebook Page {{page}}.", ["page": stored.externalID]), kind: "success")
        } catch let error as SiteCredentialError {
            context.session.flash(Self.notConnected(error, context.translator), kind: "error")
        } catch let error as SocialAuthError {
            context.logger.warning("site_credential_check_failed", ["error": error])
            context.session.flash(context.translator.text("Not connected: Facebook could not check the token. Try again later."), kind: "error")
        }
        return Redirect(to: "/admin/site-connections")
    }

    @Sendable func checkSiteCredential(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), credentialID = try id(context)
        do {
            let ip = ip(request)
            let checked = try await credentials.check(id: credentialID, now: Clock.now) { valid in
                AuditEvent("site_credential_checked", actor: admin.id, target: nil, detail: "valid=\(valid)", ip: ip)
            }
            context.session.flash(checked.isValid ? context.translator.text("The token is valid.")
                                                  : context.translator.text("The token is no longer valid: reconnect it."),
                                  kind: checked.isValid ? "success" : "error")
        } catch SiteCredentialError.notFound {
            throw HTTPError(.notFound, context.translator.text("There is no such connection."))
        } catch let error as SocialAuthError {
            context.logger.warning("site_credential_check_failed", ["error": error])
            context.session.flash(context.translator.text("Facebook could not check the token. Try again later."), kind: "error")
        }
        return Redirect(to: "/admin/site-connections")
    }

    @Sendable func removeSiteCredential(_ request: Request, context: RequestContext) async throws -> Redirect {
        let admin = try admin(context), credentialID = try id(context)
        guard try await credentials.remove(id: credentialID, actor: admin.id, ip: ip(request), now: Clock.now) else {
            throw HTTPError(.notFound, context.translator.text("There is no such connection."))
        }
        context.session.flash(context.translator.text("Removed the connection."), kind: "success")
        return Redirect(to: "/admin/site-connections")
    }

    /// Why a page token was not connected, as a sentence for the flash (the error's own
    /// description is the English one, for logs).
    static func notConnected(_ error: SiteCredentialError, _ translator: Translator) -> String {
        switch error {
        case .providerNotConfigured(let name): translator.text("Not connected: {{name}} is not configured.", ["name": name])
        case .invalidPageID: translator.text("Not connected: the page id must be Facebook's numeric id.")
        case .wrongApp: translator.text("Not connected: the token was issued to another app.")
        case .invalidToken: translator.text("Not connected: the token is invalid or expired.")
        case .notFound: translator.text("Not connected: no such credential.")
        }
    }
}
