#!/usr/bin/env node
// The `keyward` command: runs the built CLI (npm run build first).
require('../dist/apps/cli/src/main.js');
