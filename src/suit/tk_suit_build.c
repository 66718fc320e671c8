/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The envelope builder behind the flag form of `teep manifest`: one trusted
 * component, its digest and size, a URI or an integrated payload, signed
 * with one key. It fills a description for the general builder
 * (tk_suit_build.h) in the layout of the draft-ietf-teep-protocol examples
 * (suit_uri and suit_integrated), so a manifest built with their parameters
 * equals the examples' manifest byte for byte. Only the signature differs,
 * because ECDSA signatures are randomized.
 */
#include "suit/tk_suit.h"

#include <string.h>

#include "cose/tk_cose.h"
#include "crypto/tk_crypto.h"
#include "suit/tk_suit_build.h"
#include "suit/tk_suit_impl.h"

/* A component id must be one SUIT_Component_Identifier = [* bstr]. */
static tk_err check_component_id(struct tk_span id, const char *what, struct tk_diag *diag)
{
	struct tk_cbor_dec dec;
	struct tk_span encoded;
	tk_err err;

	if (id.len == 0)
		return TK_FAIL(diag, TK_ERR_ARG, "%s is missing", what);
	err = tk_cbor_dec_init(&dec, id.ptr, id.len, TK_CBOR_STRICT, diag);
	if (err == TK_OK)
		err = tk_suit_component_id_get(&dec, &encoded);
	if (err == TK_OK)
		err = tk_cbor_dec_finish(&dec);
	if (err != TK_OK)
		return TK_FAIL(diag, err, "%s is not a SUIT_Component_Identifier", what);
	return TK_OK;
}

static tk_err check_params(const struct tk_suit_build_params *bp, struct tk_diag *diag)
{
	tk_err err;

	if (bp->signer == NULL || bp->crypto == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing signer key or crypto provider");
	if ((bp->uri == NULL) == (bp->integrated_name == NULL))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "give either a URI or an integrated payload name");
	if (bp->uri != NULL && strncmp(bp->uri, "http://", 7) != 0 &&
	    strncmp(bp->uri, "https://", 8) != 0)
		return TK_FAIL(diag, TK_ERR_ARG, "URI %s is not http or https", bp->uri);
	if (bp->uri != NULL && strlen(bp->uri) > TK_SUIT_MAX_URI_LEN)
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "URI longer than %d bytes",
			       TK_SUIT_MAX_URI_LEN);
	if (bp->integrated_name != NULL &&
	    (bp->integrated_name[0] != '#' || bp->integrated_name[1] == '\0'))
		return TK_FAIL(diag, TK_ERR_ARG,
			       "integrated payload name %s does not start with '#'",
			       bp->integrated_name);
	if ((uint64_t)bp->image.len > TK_SUIT_MAX_IMAGE_SIZE ||
	    (bp->image.ptr == NULL && bp->image.len))
		return TK_FAIL(diag, TK_ERR_LIMIT_SIZE, "image of %zu bytes, limit %llu",
			       bp->image.len, (unsigned long long)TK_SUIT_MAX_IMAGE_SIZE);
	err = check_component_id(bp->component_id, "component id", diag);
	if (err == TK_OK)
		err = check_component_id(bp->manifest_component_id,
					 "manifest component id", diag);
	return err;
}

/* The parts of the description; everything the views point to lives here. */
struct layout {
	uint8_t digest[TK_SUIT_DIGEST_LEN];
	struct tk_suit_build_param shared_params[4];
	struct tk_suit_build_command shared[3];
	struct tk_suit_build_param uri_param;
	struct tk_suit_build_command install[3];
	struct tk_suit_build_command uninstall[1];
	struct tk_suit_build_section sections[2];
	struct tk_suit_build_integrated integrated;
	struct tk_suit_build_signer signer;
	struct tk_suit_build_desc desc;
};

static void put_policy_command(struct tk_suit_build_command *cmd, int64_t command)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->command = command;
	cmd->kind = TK_SUIT_ARG_UINT;
	cmd->uint = TK_SUIT_REPORT_ALL;
}

static void put_params_command(struct tk_suit_build_command *cmd,
			       const struct tk_suit_build_param *params, size_t count)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->command = TK_SUIT_CMD_OVERRIDE_PARAMETERS;
	cmd->kind = TK_SUIT_ARG_PARAMS;
	cmd->params = params;
	cmd->param_count = count;
}

/*
 * Shared sequence: override-parameters with the identities and the image
 * digest and size, then the vendor and class conditions for the ids given.
 */
static size_t fill_shared(const struct tk_suit_build_params *bp, struct layout *l)
{
	size_t params = 0, commands = 1;

	if (bp->vendor_id != NULL)
		l->shared_params[params++] = (struct tk_suit_build_param){
			TK_SUIT_PARAM_VENDOR_ID,
			{.kind = TK_SUIT_VALUE_BSTR, .bytes = {bp->vendor_id, TK_SUIT_UUID_LEN}}};
	if (bp->class_id != NULL)
		l->shared_params[params++] = (struct tk_suit_build_param){
			TK_SUIT_PARAM_CLASS_ID,
			{.kind = TK_SUIT_VALUE_BSTR, .bytes = {bp->class_id, TK_SUIT_UUID_LEN}}};
	l->shared_params[params++] = (struct tk_suit_build_param){
		TK_SUIT_PARAM_IMAGE_DIGEST,
		{.kind = TK_SUIT_VALUE_DIGEST, .sint = TK_SUIT_ALG_SHA256,
		 .bytes = {l->digest, TK_SUIT_DIGEST_LEN}}};
	l->shared_params[params++] = (struct tk_suit_build_param){
		TK_SUIT_PARAM_IMAGE_SIZE, {.kind = TK_SUIT_VALUE_UINT, .uint = bp->image.len}};
	put_params_command(&l->shared[0], l->shared_params, params);
	if (bp->vendor_id != NULL)
		put_policy_command(&l->shared[commands++], TK_SUIT_CMD_VENDOR_IDENTIFIER);
	if (bp->class_id != NULL)
		put_policy_command(&l->shared[commands++], TK_SUIT_CMD_CLASS_IDENTIFIER);
	return commands;
}

/* Install sets the uri, fetches and checks image-match; uninstall unlinks. */
static void fill_sections(const struct tk_suit_build_params *bp, struct layout *l)
{
	const char *uri = bp->uri != NULL ? bp->uri : bp->integrated_name;

	l->uri_param = (struct tk_suit_build_param){
		TK_SUIT_PARAM_URI,
		{.kind = TK_SUIT_VALUE_TSTR, .bytes = {(const uint8_t *)uri, strlen(uri)}}};
	put_params_command(&l->install[0], &l->uri_param, 1);
	put_policy_command(&l->install[1], TK_SUIT_CMD_FETCH);
	put_policy_command(&l->install[2], TK_SUIT_CMD_IMAGE_MATCH);
	put_policy_command(&l->uninstall[0], TK_SUIT_CMD_UNLINK);
	l->sections[0] = (struct tk_suit_build_section){TK_SUIT_SECTION_INSTALL,
							{l->install, 3}, false};
	l->sections[1] = (struct tk_suit_build_section){TK_SUIT_SECTION_UNINSTALL,
							{l->uninstall, 1}, false};
}

static void fill_desc(const struct tk_suit_build_params *bp, struct layout *l)
{
	struct tk_suit_build_desc *d = &l->desc;
	size_t shared_count = fill_shared(bp, l);

	fill_sections(bp, l);
	memset(d, 0, sizeof(*d));
	d->manifest_version = 1;
	d->sequence_number = bp->sequence_number;
	d->components = &bp->component_id;
	d->component_count = 1;
	d->has_shared_sequence = true;
	d->shared_sequence = (struct tk_suit_build_sequence){l->shared, shared_count};
	d->manifest_component_id = bp->manifest_component_id;
	d->sections = l->sections;
	d->section_count = 2;
	if (bp->uri == NULL) {
		l->integrated.name = tk_span_make(bp->integrated_name, strlen(bp->integrated_name));
		l->integrated.bytes = bp->image;
		d->integrated = &l->integrated;
		d->integrated_count = 1;
	}
	/* One COSE_Sign1 without a kid, as in the examples. */
	l->signer = (struct tk_suit_build_signer){bp->signer, tk_cose_alg_for_key(bp->signer),
						  {NULL, 0}};
	d->signers = &l->signer;
	d->signer_count = 1;
}

tk_err tk_suit_build_envelope(const struct tk_suit_build_params *bp, uint8_t *out,
			      size_t out_cap, size_t *out_len, struct tk_diag *diag)
{
	struct layout l;
	tk_err err;

	if (out_len == NULL)
		return TK_FAIL(diag, TK_ERR_ARG, "missing output length");
	*out_len = 0;
	if (bp == NULL || (out == NULL && out_cap > 0))
		return TK_FAIL(diag, TK_ERR_ARG, "missing build parameters or buffer");
	err = check_params(bp, diag);
	if (err != TK_OK)
		return err;

	memset(&l, 0, sizeof(l));
	err = tk_crypto_sha256(bp->crypto, bp->image.ptr, bp->image.len, l.digest, diag);
	if (err != TK_OK)
		return err;
	fill_desc(bp, &l);
	return tk_suit_build(&l.desc, bp->crypto, out, out_cap, out_len, diag);
}
