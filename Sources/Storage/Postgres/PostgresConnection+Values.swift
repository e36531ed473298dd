import CPostgres
import Foundation

extension PostgresConnection {
    /// Well-known type OIDs (pg_type.dat), which never change between servers.
    private enum TypeOID {
        static let bool: Oid = 16
        static let bytea: Oid = 17
        static let int8: Oid = 20
        static let int2: Oid = 21
        static let int4: Oid = 23
        static let oid: Oid = 26
        static let float4: Oid = 700
        static let float8: Oid = 701
        static let numeric: Oid = 1700
    }

    /// Error fields (`PG_DIAG_*`), character constants libpq defines as macros.
    private enum Field {
        static let sqlState = Int32(UInt8(ascii: "C"))
        static let message = Int32(UInt8(ascii: "M"))
        static let constraint = Int32(UInt8(ascii: "n"))
    }

    /// Calls `body` with libpq's parallel parameter arrays. Text goes as `unknown`, so PostgreSQL
    /// infers its type from context; blobs as binary `bytea`; reals as `float8`; integers as `int4`
    /// when they fit and `int8` otherwise (as psycopg does), so both `int4` function arguments and
    /// `bigint` columns accept them. Cast (`?::bigint`) when arithmetic on a small one could
    /// overflow 32 bits.
    static func withParameters<R>(
        _ params: [SQLValue],
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        var types: [Oid] = []
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        defer { buffers.forEach { $0?.deallocate() } }
        for value in params {
            let (type, bytes, format): (Oid, [UInt8]?, Int32) = switch value {
            case .null: (0, nil, 0)
            case .integer(let number):
                (Int32(exactly: number) == nil ? TypeOID.int8 : TypeOID.int4, Array(String(number).utf8), 0)
            case .real(let number): (TypeOID.float8, Array(realText(number).utf8), 0)
            case .text(let text): (0, Array(text.utf8), 0)
            case .blob(let data): (TypeOID.bytea, data, 1)
            }
            types.append(type)
            formats.append(format)
            lengths.append(Int32(bytes?.count ?? 0))
            guard let bytes else {
                buffers.append(nil)
                continue
            }
            // NUL-terminated for text format; a non-nil pointer even for empty values (nil means NULL).
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
            }
            buffer[bytes.count] = 0
            buffers.append(buffer)
        }
        let values = buffers.map { UnsafePointer($0) }
        return body(types, values, lengths, formats)
    }

    private static func realText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return "\(number)"
    }

    static func rows(of result: OpaquePointer) -> [Row] {
        let fieldCount = PQnfields(result)
        let columns = ResultColumns((0..<fieldCount).map { String(cString: PQfname(result, $0)) })
        let types = (0..<fieldCount).map { PQftype(result, $0) }
        return (0..<PQntuples(result)).map { row in
            Row(columns: columns, values: (0..<fieldCount).map { field in
                guard PQgetisnull(result, row, field) == 0 else { return .null }
                let length = Int(PQgetlength(result, row, field))
                let text = PQgetvalue(result, row, field).withMemoryRebound(to: UInt8.self, capacity: length) {
                    UnsafeBufferPointer(start: $0, count: length)
                }
                return value(text, type: types[Int(field)])
            })
        }
    }

    /// Converts one text-format result value according to its column type.
    static func value(_ bytes: UnsafeBufferPointer<UInt8>, type: Oid) -> SQLValue {
        let text = String(decoding: bytes, as: UTF8.self)
        switch type {
        case TypeOID.bool:
            return .integer(text == "t" ? 1 : 0)
        case TypeOID.int2, TypeOID.int4, TypeOID.int8, TypeOID.oid:
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        case TypeOID.float4, TypeOID.float8:
            return Double(text).map(SQLValue.real) ?? .text(text)
        case TypeOID.numeric:
            // SUM() over BIGINT comes back as numeric: keep whole numbers integers.
            return Int64(text).map(SQLValue.integer) ?? Double(text).map(SQLValue.real) ?? .text(text)
        case TypeOID.bytea:
            return .blob(Bytea.decode(bytes))
        default:
            return .text(text)
        }
    }

    func mapError(_ result: OpaquePointer) -> DatabaseError {
        let message = PQresultErrorField(result, Field.message).map { String(cString: $0) }
            ?? Self.message(PQresultErrorMessage(result))
        guard isHealthy, let state = PQresultErrorField(result, Field.sqlState).map({ String(cString: $0) }) else {
            return .unavailable(message)
        }
        switch state {
        case "23505":
            return .uniqueViolation(constraint: PQresultErrorField(result, Field.constraint).map { String(cString: $0) })
        case "23503":
            return .foreignKeyViolation
        case "40001", "40P01", "55P03":
            return .busy
        case "53300", "57P01", "57P02", "57P03":
            return .unavailable(message)
        default:
            return state.hasPrefix("08") ? .unavailable(message) : .postgres(sqlState: state, message: message)
        }
    }
}
