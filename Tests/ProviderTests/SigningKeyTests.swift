import Foundation
import Security
import Testing
@testable import Provider

@Suite struct SigningKeyTests {
    @Test func generatesOneKeyAndKeepsItSealedInTheDatabase() async throws {
        let provider = try await TestProvider.make()
        let rows = try await provider.query("SELECT kid, private_key_enc FROM signing_keys")
        #expect(rows.count == 1)
        let kid = try rows[0].string("kid")
        let sealed = try rows[0].string("private_key_enc")
        #expect(kid == provider.services.signingKeys.activeKeyID)
        #expect(kid == provider.services.signingKeys.active.publicKey.thumbprint)
        #expect(!sealed.contains("PRIVATE KEY"))
        #expect(sealed.hasPrefix("v1."))
    }

    @Test func reopeningLoadsTheSameKey() async throws {
        let provider = try await TestProvider.make()
        let kid = provider.services.signingKeys.activeKeyID
        let again = try await ProviderServices.open(provider.services.configuration, clock: provider.clock.providerClock)
        #expect(again.signingKeys.activeKeyID == kid)
        #expect(try await provider.count("signing_keys") == 1)
    }

    @Test func refusesToStartWhenTheSecretKeyChanged() async throws {
        let provider = try await TestProvider.make()
        var configuration = provider.services.configuration
        configuration.secretKey = "a-completely-different-secret-key-0123456789"
        await #expect(throws: SigningKeys.LoadError.self) {
            _ = try await ProviderServices.open(configuration, clock: provider.clock.providerClock)
        }
        configuration.secretKeyFallbacks = ["provider-test-secret-0123456789abcdef0123"]
        let rotated = try await ProviderServices.open(configuration, clock: provider.clock.providerClock)
        #expect(rotated.signingKeys.activeKeyID == provider.services.signingKeys.activeKeyID)
    }
}
