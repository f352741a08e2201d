// Package sfnative keeps gosnowflake from loading its bundled native library ("minicore") in
// every datatui process. gosnowflake's own init starts that in the background: it makes a
// directory under the temporary folder, writes a shared library there and dlopens it — on
// `datatui version` as on a warehouse query — and a short command exits before it cleans up,
// leaving a gosnowflake-cgo* directory behind each time. datatui does not use the library
// (the Snowflake engine turns it off for its own connections too).
//
// gosnowflake reads SF_DISABLE_MINICORE in its init, so the variable must be set before that
// runs, which only another init can do. Go initialises ready packages in import-path order,
// and this one (standard library only, sorting before github.com/snowflakedb/) is always
// ready first. This is the one init in datatui's packages; it sets one variable and nothing
// else, and a user's own SF_DISABLE_MINICORE wins.
package sfnative

import "os"

// Variable is the switch gosnowflake reads.
const Variable = "SF_DISABLE_MINICORE"

func init() {
	if _, ok := os.LookupEnv(Variable); !ok {
		_ = os.Setenv(Variable, "true")
	}
}
