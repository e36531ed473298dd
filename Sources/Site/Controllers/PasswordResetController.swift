import Accounts
import Identity
import IdentityWeb
import Localization
import Mustache
import Web

/// "Forgot your password?" on the site: the identity core's pages (`PasswordResetPages`, which
/// the provider uses too) over the site's flow and mail; a successful reset lands on sign-in.
struct PasswordResetController {
    let services: SiteServices

    func register(on router: Router) {
        let accounts = services.accounts, configuration = services.configuration
        PasswordResetPages<User>(
            folder: "site", trustedProxies: configuration.trustedProxies, mailOff: !accounts.canSendMail,
            ask: { identifier, ip, request, context in
                let mail = SiteMail(request, context, services: services)
                try await accounts.requestPasswordReset(identifier: identifier, ip: ip) { user, token in
                    mail.message("password_reset", to: user, subject: Message("Reset your Latchkey password"),
                                 ["link": .string(mail.origin + "/password/reset?token=" + token)])
                }
            },
            holder: { token in try await accounts.resetLinkHolder(token) },
            reset: { token, new, confirmation, ip, request, context in
                let mail = SiteMail(request, context, services: services)
                return try await accounts.resetPassword(token: token, new: new, confirmation: confirmation, ip: ip) { user in
                    mail.message("password_changed", to: user, subject: Message("Your Latchkey password was changed"))
                }
            },
            afterReset: "/login?reset=1",
            render: { context, template, title, values, status in Page(context, title: title, values).view(template, status: status) }
        ).register(on: router)
    }
}
