#!/usr/bin/env bash
# Builds the site and copies it, with the Space's README (front matter: static SDK and COOP/COEP
# headers), into a local clone of a Hugging Face static Space. Then commit and push from there.
# usage: bash deploy/hf-space.sh path/to/space-clone
set -euo pipefail
space=${1:?usage: bash deploy/hf-space.sh path/to/space-clone}
cd "$(dirname "$0")/.."
npm run build
find "$space" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -r dist/. "$space/"
cp deploy/hf-space/README.md "$space/README.md"
# The ORT wasm and the models are binary files: the Space repo stores them with Git LFS.
printf '*.wasm filter=lfs diff=lfs merge=lfs -text\n*.onnx filter=lfs diff=lfs merge=lfs -text\n' > "$space/.gitattributes"
echo "copied the site into $space: now commit and push it (git lfs install once)"
