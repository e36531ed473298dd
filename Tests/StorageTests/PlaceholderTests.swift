@testable import Storage
import Testing

@Suite struct PlaceholderTests {
    @Test(arguments: [
        ("SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2", 2),
        ("SELECT 'why?' , ?", "SELECT 'why?' , $1", 1),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1),
        ("SELECT E'a\\'?', ?", "SELECT E'a\\'?', $1", 1),
        ("SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = $1", 1),
        ("SELECT 1 -- really?\n, ?", "SELECT 1 -- really?\n, $1", 1),
        ("SELECT /* a /* nested? */ b? */ ?", "SELECT /* a /* nested? */ b? */ $1", 1),
        ("SELECT $$what?$$, $tag$ a ? $$ b $tag$, ?", "SELECT $$what?$$, $tag$ a ? $$ b $tag$, $1", 1),
        ("SELECT ?::bigint, ?", "SELECT $1::bigint, $2", 2),
        ("SELECT 'naïve ✓ ?', ?", "SELECT 'naïve ✓ ?', $1", 1),
        ("SELECT 1", "SELECT 1", 0),
        ("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0),
    ])
    func rewritesOnlyPlaceholdersOutsideLiteralsAndComments(sql: String, expected: String, count: Int) {
        let rewritten = Placeholders.rewrite(sql)
        #expect(rewritten.sql == expected)
        #expect(rewritten.count == count)
    }
}
