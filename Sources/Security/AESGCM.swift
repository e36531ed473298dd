import COpenSSL

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag, through EVP_CIPHER.
enum AESGCM {
    static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16

    /// Ciphertext followed by the tag.
    static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        precondition(key.count == keyLength && nonce.count == nonceLength, "AES-256-GCM key or nonce size")
        precondition(plaintext.count < Int(Int32.max) && associatedData.count < Int(Int32.max), "input too large")
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_EncryptInit_ex2(context, Fetched.aes256GCM, key, nonce, nil) == 1 else {
            fatalError("EVP_EncryptInit_ex2 failed")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                fatalError("EVP_EncryptUpdate(AAD) failed")
            }
        }
        var output = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var written = 0
        output.withUnsafeMutableBufferPointer { out in
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(context, out.baseAddress, &length, plaintext, Int32(plaintext.count)) == 1 else {
                    fatalError("EVP_EncryptUpdate failed")
                }
                written = Int(length)
            }
            guard EVP_EncryptFinal_ex(context, out.baseAddress! + written, &length) == 1 else {
                fatalError("EVP_EncryptFinal_ex failed")
            }
            written += Int(length)
            guard written == plaintext.count,
                  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(tagLength), out.baseAddress! + written) == 1
            else { fatalError("AES-GCM tag retrieval failed") }
        }
        return output
    }

    /// The plaintext, or nil when the tag does not verify.
    static func open(key: [UInt8], nonce: [UInt8], sealed: ArraySlice<UInt8>, associatedData: [UInt8]) -> [UInt8]? {
        precondition(key.count == keyLength && nonce.count == nonceLength, "AES-256-GCM key or nonce size")
        guard sealed.count >= tagLength, sealed.count < Int(Int32.max), associatedData.count < Int(Int32.max) else {
            return nil
        }
        let ciphertext = Array(sealed.dropLast(tagLength))
        var tag = Array(sealed.suffix(tagLength))
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        guard EVP_DecryptInit_ex2(context, Fetched.aes256GCM, key, nonce, nil) == 1 else {
            fatalError("EVP_DecryptInit_ex2 failed")
        }
        var length: Int32 = 0
        if !associatedData.isEmpty {
            guard EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1 else {
                return nil
            }
        }
        var output = [UInt8](repeating: 0, count: ciphertext.count + 1)
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            var written = 0
            if !ciphertext.isEmpty {
                guard EVP_DecryptUpdate(context, out.baseAddress, &length, ciphertext, Int32(ciphertext.count)) == 1 else {
                    return false
                }
                written = Int(length)
            }
            guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, Int32(tagLength), &tag) == 1 else { return false }
            // The tag is checked here; nothing decrypted is returned unless it matches.
            return EVP_DecryptFinal_ex(context, out.baseAddress! + written, &length) == 1
        }
        guard ok else {
            clearOpenSSLErrors()
            return nil
        }
        output.removeLast()
        return output
    }
}
