#!/usr/bin/env bash
# Scaffolds a library: tools/scaffold-lib.sh <name> <type> <scope>
set -euo pipefail
name=$1 type=$2 scope=$3
dir="libs/$name"
mkdir -p "$dir/src"
cat > "$dir/project.json" <<JSON
{
  "name": "$name",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "library",
  "tags": ["type:$type", "scope:$scope"]
}
JSON
cat > "$dir/jest.config.cjs" <<JS
module.exports = require('../../jest.preset.cjs').forProject('$name', __dirname);
JS
cat > "$dir/eslint.config.mjs" <<JS
import root from '../../eslint.config.mjs';

export default [...root];
JS
node -e '
const fs=require("fs");const f="tsconfig.base.json";const j=JSON.parse(fs.readFileSync(f,"utf8"));
j.compilerOptions.paths["@penumbra/'"$name"'"]=["'"$dir"'/src/index.ts"];
const sorted={};for(const k of Object.keys(j.compilerOptions.paths).sort())sorted[k]=j.compilerOptions.paths[k];j.compilerOptions.paths=sorted;
fs.writeFileSync(f,JSON.stringify(j,null,2)+"\n");'
