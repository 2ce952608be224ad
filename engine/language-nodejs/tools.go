//go:build tools

// Package tools pins the Node.js language host. Newer releases moved it into its own
// module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which the
// Go module proxy reachable here does not serve; sdk/v3 v3.68.0 is the newest served
// release that still carries it as a package.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
