"""Reading PowerShell Export-Clixml files (DESIGN section 2 item 5): the object graph, what
is recognised in it, and the XML that is refused before anything is read."""
from __future__ import annotations

import codecs
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.inputs import identify
from checker.inputs.clixml import read_clixml
from checker.inputs.clixml_objects import (
    ENTITIES_REFUSED,
    PSObject,
    TopLevel,
    _Document,
    read_objects,
)
from checker.inputs.decode import DecodeError
from checker.inputs.graph import PARSERS
from checker.inputs.identify import Identification
from checker.inputs.tenant_builder import _content
from checker.origin import Origin

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "formats" / "clixml"
SAMPLE = ROOT / "samples" / "e3-gaps"
OBJS = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
SDK = "Microsoft.Graph.PowerShell.Models."
REQUIREMENT = "Microsoft.Online.Administration.StrongAuthenticationRequirement"


def document(*objects: str) -> str:
    return "\n".join([OBJS, *objects, "</Objs>"])


def top_level(*objects: str) -> tuple[TopLevel, ...]:
    found = read_objects(document(*objects))
    assert found.root_name == "Objs"
    return found.objects


def value(obj: str) -> Any:
    return top_level(obj)[0].value


def read(*objects: str) -> Identification:
    return read_clixml(document(*objects).encode("utf-8"))


def typed(type_names: str, props: str, ref_id: int = 0) -> str:
    names = "".join(f"<T>{name}</T>" for name in type_names.split())
    return f'<Obj RefId="{ref_id}"><TN RefId="{ref_id}">{names}<T>System.Object</T></TN><Props>{props}</Props></Obj>'


def items(found: Identification, collection: str) -> list[tuple[str, Any]]:
    return [item for piece in found.pieces if piece.collection == collection for item in piece.items]


# ---------------------------------------------------------------------------- the object graph


def test_primitives_become_python_values() -> None:
    assert [entry.value for entry in top_level(
        "<S>text</S>", "<S />", "<B>true</B>", "<B>false</B>", "<I32>-42</I32>", "<I64>9007199254740993</I64>",
        "<I16>7</I16>", "<By>255</By>", "<U64>18446744073709551615</U64>", "<Db>2.5</Db>", "<Sg>INF</Sg>",
        "<D>12.75</D>", "<C>65</C>", "<DT>2024-09-02T10:15:47.0382215Z</DT>",
        "<G>f753f1f1-c953-476e-8a6b-9c8cd2eacdea</G>", "<Nil />", "<BA>AQID</BA>", "<TS>PT1H30M</TS>",
        "<URI>https://graph.microsoft.com/</URI>", "<Version>1.1.183.81</Version>",
    )] == [
        "text", "", True, False, -42, 9007199254740993, 7, 255, 18446744073709551615, 2.5, float("inf"),
        12.75, "A", "2024-09-02T10:15:47.0382215Z", "f753f1f1-c953-476e-8a6b-9c8cd2eacdea", None, "AQID",
        "PT1H30M", "https://graph.microsoft.com/", "1.1.183.81",
    ]


def test_escaped_characters_are_decoded_in_strings_and_names() -> None:
    obj = value('<Obj RefId="0"><Props>'
                '<S N="Note">line one_x000A_line two_x0009_tab</S>'
                '<S N="Literal">_x005F_x0041_ stays</S>'
                '<S N="Emoji">_xD83D__xDE00_ and a lone _xD800_</S>'
                '<S N="Display_x0020_Name">x</S>'
                '</Props></Obj>')
    assert obj == {
        "Note": "line one\nline two\ttab",
        "Literal": "_x0041_ stays",
        "Emoji": "\U0001F600 and a lone \ufffd",
        "Display Name": "x",
    }


def test_props_and_member_sets_merge_and_extended_members_win() -> None:
    obj = value('<Obj RefId="0"><TN RefId="0"><T>Sample.Thing</T><T>System.Object</T></TN>'
                '<ToString>thing</ToString>'
                '<Props><S N="Name">adapted</S><I32 N="Size">3</I32></Props>'
                '<MS><S N="Name">extended</S><B N="Note">true</B></MS></Obj>')
    assert isinstance(obj, PSObject)
    assert obj == {"Name": "extended", "Size": 3, "Note": True}
    assert obj.type_names == ("Sample.Thing", "System.Object")


def test_type_name_lists_are_shared_through_tnref() -> None:
    first, second = top_level(
        '<Obj RefId="0"><TN RefId="0"><T>Sample.Thing</T><T>System.Object</T></TN><Props /></Obj>',
        '<Obj RefId="1"><TNRef RefId="0" /><Props /></Obj>',
    )
    assert first.type_names == second.type_names == ("Sample.Thing", "System.Object")


def test_a_ref_is_the_same_object_across_top_level_objects() -> None:
    first, second = top_level(
        '<Obj RefId="0"><Props><Obj N="Inner" RefId="1"><Props><S N="Name">shared</S></Props></Obj></Props></Obj>',
        '<Obj RefId="2"><Props><Ref N="Again" RefId="1" /><Ref N="Outer" RefId="0" /></Props></Obj>',
    )
    assert second.value["Again"] is first.value["Inner"]
    assert second.value["Outer"] is first.value


def test_a_cycle_stays_a_cycle() -> None:
    obj = value('<Obj RefId="0"><Props><S N="Name">loop</S><Ref N="Self" RefId="0" />'
                '<Obj N="Children" RefId="1"><LST><Ref RefId="0" /><Ref RefId="1" /></LST></Obj></Props></Obj>')
    assert obj["Self"] is obj
    assert obj["Children"][0] is obj
    assert obj["Children"][1] is obj["Children"]


def test_lists_enumerables_stacks_and_queues_become_lists() -> None:
    assert [entry.value for entry in top_level(
        '<Obj RefId="0"><TN RefId="0"><T>System.String[]</T></TN><LST><S>a</S><S>b</S></LST></Obj>',
        '<Obj RefId="1"><IE><I32>1</I32><Nil /></IE></Obj>',
        '<Obj RefId="2"><STK><S>top</S></STK></Obj>',
        '<Obj RefId="3"><QUE /></Obj>',
    )] == [["a", "b"], [1, None], ["top"], []]


def test_dictionaries_become_dicts() -> None:
    found = value('<Obj RefId="0"><TN RefId="0"><T>System.Collections.Hashtable</T></TN><DCT>'
                  '<En><S N="Key">name</S><S N="Value">Fabrikam</S></En>'
                  '<En><I32 N="Key">7</I32><Nil N="Value" /></En>'
                  '<En><S N="Key">nested</S><Obj N="Value" RefId="1"><LST><B>true</B></LST></Obj></En>'
                  '</DCT></Obj>')
    assert found == {"name": "Fabrikam", 7: None, "nested": [True]}
    assert found.type_names == ("System.Collections.Hashtable",)


def test_enums_are_read_by_their_name() -> None:
    obj = value('<Obj RefId="0"><Props><Obj N="UserType" RefId="1"><TN RefId="0">'
                '<T>Microsoft.Online.Administration.UserType</T><T>System.Enum</T><T>System.ValueType</T>'
                '<T>System.Object</T></TN><ToString>Guest</ToString><I32>2</I32></Obj></Props></Obj>')
    assert obj == {"UserType": "Guest"}
    number = value('<Obj RefId="0"><TN RefId="0"><T>System.Int32</T><T>System.ValueType</T></TN>'
                   '<ToString>5</ToString><I32>5</I32><MS><S N="Note">kept as a number</S></MS></Obj>')
    assert number == 5
    untyped = value('<Obj RefId="0"><ToString>Enforced</ToString><I32>1</I32></Obj>')
    assert untyped == "Enforced"


def test_objects_without_members_read_as_their_string() -> None:
    obj = value('<Obj RefId="0"><Props>'
                '<Obj N="Stringified" RefId="1"><TN RefId="0"><T>Some.Type</T></TN><ToString>Some.Type</ToString></Obj>'
                '<Obj N="WithNotes" RefId="2"><ToString>hello</ToString><S>hello</S><MS><S N="Note">x</S></MS></Obj>'
                '<Obj N="Empty" RefId="3"><TNRef RefId="0" /><ToString>Some.Type</ToString><Props /></Obj>'
                '</Props></Obj>')
    assert obj == {"Stringified": "Some.Type", "WithNotes": "hello", "Empty": {}}


def test_a_ref_to_no_earlier_object_is_unreadable() -> None:
    with pytest.raises(DecodeError) as caught:
        read('<Obj RefId="0"><Props>', '<Ref N="Later" RefId="5" />', "</Props></Obj>")
    assert (caught.value.reason, caught.value.line) == (
        "not a valid Export-Clixml document: <Ref RefId='5'> refers to no earlier object", 3)


def test_a_tnref_to_no_earlier_type_list_is_unreadable() -> None:
    with pytest.raises(DecodeError) as caught:
        read('<Obj RefId="0">', '<TNRef RefId="3" />', "<Props /></Obj>")
    assert (caught.value.reason, caught.value.line) == (
        "not a valid Export-Clixml document: <TNRef RefId='3'> refers to no earlier type name list", 3)


@pytest.mark.parametrize(("element", "shown"), [
    ("<I32>twelve</I32>", "<I32> holds 'twelve'"),
    ("<B>yes</B>", "<B> holds 'yes'"),
    ("<Db>1,5</Db>", "<Db> holds '1,5'"),
])
def test_a_primitive_that_does_not_parse_is_unreadable(element: str, shown: str) -> None:
    with pytest.raises(DecodeError) as caught:
        read('<Obj RefId="0"><Props>', element.replace(">", ' N="Value">', 1), "</Props></Obj>")
    assert (caught.value.reason, caught.value.line) == (f"not a valid Export-Clixml document: {shown}", 3)


# ---------------------------------------------------------------------------- XML that is refused


def test_malformed_xml_is_unreadable_with_its_position() -> None:
    with pytest.raises(DecodeError) as caught:
        read_clixml(f'{OBJS}\r\n  <Obj RefId="0">\r\n    <Props>\r\n  </Obj>\r\n</Objs>'.encode("utf-16-le"))
    error = caught.value
    assert (error.reason, error.line, error.column) == (
        "not well-formed XML: Opening and ending tag mismatch: Props line 3 and Obj", 4, 9)


def test_a_file_cut_short_is_unreadable() -> None:
    data = (FIXTURES / "ca-policies.xml").read_bytes()
    with pytest.raises(DecodeError) as caught:
        read_clixml(data[: len(data) // 2])
    assert caught.value.reason.startswith("not well-formed XML: ")
    assert caught.value.line > 1


def test_objects_nested_past_the_parser_limit_are_unreadable() -> None:
    deep = '<Obj RefId="0"><LST>' * 300 + "</LST></Obj>" * 300
    with pytest.raises(DecodeError) as caught:
        read(deep)
    assert caught.value.reason.startswith("not well-formed XML: Excessive depth in document")


def test_an_internal_entity_is_refused() -> None:
    laughs = "".join(f'<!ENTITY l{n} "&l{n - 1};&l{n - 1};&l{n - 1};&l{n - 1};">' for n in range(1, 12))
    text = (f'<?xml version="1.0"?>\n<!-- export -->\n<!DOCTYPE Objs [<!ENTITY l0 "ha">{laughs}]>\n'
            f"{OBJS}<S>&l11;</S></Objs>")
    with pytest.raises(DecodeError) as caught:
        read_clixml(text.encode("utf-8"))
    assert (caught.value.reason, caught.value.line, caught.value.column) == (ENTITIES_REFUSED, 3, 1)


def test_an_external_entity_naming_a_file_is_refused_and_the_file_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("correct horse battery staple", encoding="utf-8")
    text = (f'<!DOCTYPE Objs [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>\n'
            f'{OBJS}<Obj RefId="0"><Props><S N="DisplayName">&leak;</S></Props></Obj></Objs>')
    for encoding in ("utf-8", "utf-16"):
        with pytest.raises(DecodeError) as caught:
            read_clixml(text.encode(encoding))
        assert caught.value.reason == ENTITIES_REFUSED
        assert "correct horse" not in str(caught.value)


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (named by http.server)
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"fetched")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.enable_socket  # a server on loopback that records any request the parser makes
def test_an_external_entity_on_the_network_is_refused_and_nothing_fetched(
        web_server: tuple[str, list[str]]) -> None:
    url, requests = web_server
    for doctype in (f'<!DOCTYPE Objs [<!ENTITY remote SYSTEM "{url}/entity">]>',
                    f'<!DOCTYPE Objs SYSTEM "{url}/schema.dtd">',
                    f'<!DOCTYPE Objs [<!ENTITY % remote SYSTEM "{url}/parameter"> %remote;]>'):
        with pytest.raises(DecodeError) as caught:
            read_clixml(f"{doctype}\n{OBJS}<S>&remote;</S></Objs>".encode())
        assert caught.value.reason == ENTITIES_REFUSED
    assert requests == []


@pytest.mark.enable_socket  # a server on loopback that records any request the parser makes
def test_the_parser_itself_neither_expands_nor_fetches_entities(
        tmp_path: Path, web_server: tuple[str, list[str]]) -> None:
    """Behind the DOCTYPE check, the parser settings alone keep a declaration inert."""
    url, requests = web_server
    secret = tmp_path / "secret.txt"
    secret.write_text("correct horse battery staple", encoding="utf-8")
    text = (f'<!DOCTYPE Objs [<!ENTITY leak SYSTEM "{secret.as_uri()}"><!ENTITY remote SYSTEM "{url}/e">]>\n'
            f'{OBJS}<S>&leak;&remote;</S></Objs>')
    with pytest.raises(DecodeError) as caught:
        _Document(text).objects()
    assert caught.value.reason == ENTITIES_REFUSED
    assert "correct horse" not in str(caught.value)
    assert requests == []


def test_a_doctype_behind_a_second_byte_order_mark_is_refused() -> None:
    text = f'\ufeff<!DOCTYPE Objs [<!ENTITY e "x">]>\n{OBJS}<S>&e;</S></Objs>'
    with pytest.raises(DecodeError) as caught:
        read_clixml(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (caught.value.reason, caught.value.line, caught.value.column) == (ENTITIES_REFUSED, 1, 2)


def test_xml_of_another_kind_is_ignored() -> None:
    found = read_clixml(b'<?xml version="1.0"?>\n<configuration><appSettings /></configuration>')
    assert found == Identification(
        "xml", ignored_reason="an XML document whose root is <configuration>, not an Export-Clixml <Objs>")


def test_xml_of_another_kind_must_still_be_well_formed() -> None:
    with pytest.raises(DecodeError) as caught:
        read_clixml(b"<configuration>\n<appSettings></configuration>")
    assert caught.value.line == 2


# ---------------------------------------------------------------------------- what is recognised


def msol_user(requirements: str, *, ref_id: int = 0, blocked: str = "false", prefix: str = "") -> str:
    return (
        f'<Obj RefId="{ref_id}"><TN RefId="{ref_id}"><T>{prefix}Microsoft.Online.Administration.User</T>'
        f'<T>{prefix}System.Object</T></TN><ToString>Microsoft.Online.Administration.User</ToString><Props>'
        f'<B N="BlockCredential">{blocked}</B><S N="DisplayName">Noor Haddad</S>'
        '<G N="ObjectId">21f06fdc-8710-427a-92f7-9c9105fa754c</G>'
        f'<Obj N="StrongAuthenticationRequirements" RefId="{ref_id + 1}"><TN RefId="{ref_id + 1}">'
        f"<T>System.Collections.Generic.List`1[[{REQUIREMENT}, Microsoft.Online.Administration.Automation.PSModule]]"
        f"</T><T>System.Object</T></TN>{requirements}</Obj>"
        '<S N="UserPrincipalName">noor.haddad@fabrikam-gaps.example</S>'
        f'<Obj N="UserType" RefId="{ref_id + 2}"><TN RefId="{ref_id + 2}">'
        "<T>Microsoft.Online.Administration.UserType</T><T>System.Enum</T></TN>"
        "<ToString>Member</ToString><I32>1</I32></Obj>"
        "</Props></Obj>"
    )


def requirement(state: str) -> str:
    return (f'<Obj RefId="90"><TN RefId="90"><T>{REQUIREMENT}</T><T>System.Object</T></TN>'
            f"<ToString>{REQUIREMENT}</ToString><Props>"
            '<S N="RelyingParty">*</S><DT N="RememberDevicesNotIssuedBefore">2024-02-01T09:00:00Z</DT>'
            f"{state}</Props></Obj>")


def state_enum(name: str, number: int) -> str:
    return (f'<Obj N="State" RefId="91"><TN RefId="91"><T>{REQUIREMENT}State</T><T>System.Enum</T></TN>'
            f"<ToString>{name}</ToString><I32>{number}</I32></Obj>")


STATE_AS_STRING = '<S N="State">Enforced</S>'


NOOR = {"id": "21f06fdc-8710-427a-92f7-9c9105fa754c", "userPrincipalName": "noor.haddad@fabrikam-gaps.example"}


@pytest.mark.parametrize(("requirements", "state"), [
    ("<LST />", "disabled"),
    (f"<LST>{requirement(state_enum('Enabled', 0))}</LST>", "enabled"),
    (f"<LST>{requirement(state_enum('Enforced', 1))}</LST>", "enforced"),
    # past Export-Clixml's depth the enum is written as its name
    (f"<LST>{requirement(STATE_AS_STRING)}</LST>", "enforced"),
], ids=["empty", "enabled", "enforced", "enforced-as-string"])
def test_msonline_users_give_a_user_and_the_per_user_mfa_state(requirements: str, state: str) -> None:
    found = read(msol_user(requirements))
    assert found.format == "clixml"
    assert items(found, identify.USERS) == [("/Objs/0", {
        **NOOR, "displayName": "Noor Haddad", "accountEnabled": True, "userType": "Member"})]
    assert items(found, identify.PER_USER_MFA) == [("/Objs/0", {**NOOR, "perUserMfaState": state})]
    assert found.diagnostics == ()


def test_a_blocked_msonline_user_is_disabled_and_deserialized_type_names_count() -> None:
    found = read(msol_user("<LST />", blocked="true", prefix="Deserialized."))
    assert [item["accountEnabled"] for _, item in items(found, identify.USERS)] == [False]


def test_per_user_mfa_written_as_type_names_only_is_reported_not_guessed() -> None:
    found = read(msol_user(f"<LST><S>{REQUIREMENT}</S></LST>"))
    assert len(items(found, identify.USERS)) == 1
    assert items(found, identify.PER_USER_MFA) == []
    assert found.diagnostics == ((
        "INPUT001",
        "the per-user MFA state of noor.haddad@fabrikam-gaps.example cannot be read: StrongAuthenticationRequirements "
        "holds type names instead of objects (Export-Clixml -Depth too small; export again with -Depth 10)",
        "/Objs/0/StrongAuthenticationRequirements", 2, 1,
    ),)


def test_msonline_users_without_the_requirements_property_have_no_per_user_state() -> None:
    user = msol_user("<LST />").replace('<Obj N="StrongAuthenticationRequirements"', '<Obj N="Unrelated"')
    found = read(user)
    assert [p.collection for p in found.pieces] == [identify.USERS]


def sdk(model: str, props: str, ref_id: int = 0, namespace: str = SDK) -> str:
    return typed(namespace + model, props, ref_id)


def additional(entries: str, ref_id: int) -> str:
    return (f'<Obj N="AdditionalProperties" RefId="{ref_id}"><TN RefId="{ref_id}">'
            "<T>System.Collections.Generic.Dictionary`2[[System.String],[System.Object]]</T></TN>"
            f"<DCT>{entries}</DCT></Obj>")


def test_graph_sdk_objects_keep_their_properties_with_additional_properties_lifted() -> None:
    member = (
        '<Obj RefId="11"><TN RefId="11"><T>Microsoft.Graph.PowerShell.Models.MicrosoftGraphDirectoryObject</T></TN>'
        '<Props>' + additional('<En><S N="Key">@odata.type</S><S N="Value">#microsoft.graph.group</S></En>'
                               '<En><S N="Key">id</S><S N="Value">ignored: Id is already there</S></En>', 12)
        + '<S N="Id">0d1b2c3e-0000-4000-8000-000000000001</S></Props></Obj>'
    )
    found = read(sdk("MicrosoftGraphGroup", (
        additional('<En><S N="Key">securityEnabled</S><B N="Value">true</B></En>', 10)
        + '<S N="DisplayName">Contractors-Exempt</S><S N="Id">e996b89c-4d8d-476c-b032-fbf229ff9be6</S>'
        + f'<Obj N="Members" RefId="13"><LST>{member}</LST></Obj><Nil N="TransitiveMembers" />'
    )))
    assert items(found, identify.GROUPS) == [("/Objs/0", {
        "DisplayName": "Contractors-Exempt",
        "Id": "e996b89c-4d8d-476c-b032-fbf229ff9be6",
        "Members": [{"Id": "0d1b2c3e-0000-4000-8000-000000000001", "@odata.type": "#microsoft.graph.group"}],
        "securityEnabled": True,
    })]


def test_recognised_objects_are_trees_a_cycle_cut_and_sharing_kept() -> None:
    found = read(sdk("MicrosoftGraphUser", (
        '<S N="Id">u1</S><Ref N="Itself" RefId="0" />'
        '<Obj N="OnPremisesExtensionAttributes" RefId="1"><Props><S N="ExtensionAttribute1">x</S>'
        '<Ref N="Back" RefId="1" /></Props></Obj><Ref N="Again" RefId="1" />'
    )))
    [(_, user)] = items(found, identify.USERS)
    # at the top a cut cycle is left out like every other null; below, it stays null
    assert user == {"Id": "u1", "OnPremisesExtensionAttributes": {"ExtensionAttribute1": "x", "Back": None},
                    "Again": {"ExtensionAttribute1": "x", "Back": None}}
    assert user["Again"] is user["OnPremisesExtensionAttributes"]


@pytest.mark.parametrize(("type_name", "collection"), [
    (SDK + "MicrosoftGraphConditionalAccessPolicy", identify.CA_POLICIES),
    (SDK + "MicrosoftGraphUser1", identify.USERS),
    ("Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphUserRegistrationDetails", identify.REGISTRATION_DETAILS),
    ("Deserialized." + SDK + "MicrosoftGraphSubscribedSku", identify.SUBSCRIBED_SKUS),
    (SDK + "MicrosoftGraphIdentitySecurityDefaultsEnforcementPolicy", identify.SECURITY_DEFAULTS),
    (SDK + "MicrosoftGraphUnifiedRoleAssignment", identify.ROLE_ASSIGNMENTS),
    (SDK + "MicrosoftGraphAuthenticationMethodsPolicy", identify.AUTH_METHODS_POLICY),
    (SDK + "MicrosoftGraphIPNamedLocation", identify.NAMED_LOCATIONS),
])
def test_graph_sdk_models_are_recognised_by_type_name(type_name: str, collection: str) -> None:
    found = read(typed(type_name, '<S N="Id">x1</S><Nil N="DisplayName" />'))
    assert [(p.collection, p.items) for p in found.pieces] == [(collection, (("/Objs/0", {"Id": "x1"}),))]


def test_azuread_users_take_their_object_id_as_id() -> None:
    found = read(typed("Microsoft.Open.AzureAD.Model.User DirectoryObject",
                       '<S N="ObjectId">5e2217e3-0067-44ec-bf55-ef4a1523821c</S><B N="AccountEnabled">true</B>'))
    assert items(found, identify.USERS) == [("/Objs/0", {
        "ObjectId": "5e2217e3-0067-44ec-bf55-ef4a1523821c", "AccountEnabled": True,
        "Id": "5e2217e3-0067-44ec-bf55-ef4a1523821c"})]


def cut_policy(conditions: str) -> str:
    session = f'<S N="SignInFrequency">{SDK}MicrosoftGraphSignInFrequencySessionControl</S>'
    return sdk("MicrosoftGraphConditionalAccessPolicy", (
        '<S N="DisplayName">Require MFA</S><S N="Id">p1</S>'
        f'<Obj N="Conditions" RefId="5"><Props>{conditions}</Props></Obj>'
        f'<Obj N="SessionControls" RefId="6"><Props>{session}</Props></Obj>'
    ))


def test_a_policy_cut_by_export_depth_is_reported_not_read() -> None:
    found = read(cut_policy(f'<S N="Users">{SDK}MicrosoftGraphConditionalAccessUsers</S>'))
    assert found == Identification(
        "clixml",
        ignored_reason=f"Export-Clixml of {SDK}MicrosoftGraphConditionalAccessPolicy: no object could be read",
        diagnostics=((
            "INPUT001",
            "identity/conditionalAccess/policies object 'Require MFA' cannot be read: /Conditions/Users holds only "
            "a type name (Export-Clixml -Depth too small; export again with -Depth 10)",
            "/Objs/0/Conditions/Users", 2, 1,
        ),),
    )
    assert [(collection, objects) for collection, objects, _, _ in found.lost] == [
        ("identity/conditionalAccess/policies", 1)]


def test_a_policy_cut_only_where_no_parser_reads_is_read() -> None:
    found = read(cut_policy('<Obj N="ClientAppTypes" RefId="7"><LST><S>all</S></LST></Obj>'))
    assert found.diagnostics == ()
    assert [item["Conditions"] for _, item in items(found, identify.CA_POLICIES)] == [{"ClientAppTypes": ["all"]}]


def test_an_unreadable_field_of_a_recognised_object_is_a_diagnostic() -> None:
    user = msol_user("<LST />").replace('<G N="ObjectId">21f06fdc-8710-427a-92f7-9c9105fa754c</G>',
                                        '<Obj N="ObjectId" RefId="50"><LST /></Obj>')
    found = read(user)
    assert found.pieces == ()
    assert found.diagnostics == ((
        "INPUT001", "Microsoft.Online.Administration.User cannot be read: expected a string, found an array",
        "/Objs/0/ObjectId", 2, 1),)
    # the user it would have been is lost: the users collection is incomplete, never judged whole
    assert found.lost == ((identify.USERS, 1, found.diagnostics[0][1], "/Objs/0/ObjectId"),)


def test_unknown_types_are_ignored_and_named() -> None:
    found = read(typed("System.IO.FileInfo System.IO.FileSystemInfo", '<S N="Name">a.txt</S>'),
                 typed("System.IO.FileInfo", '<S N="Name">b.txt</S>', 1), "<S>loose</S>")
    assert found == Identification(
        "clixml", ignored_reason="Export-Clixml of System.IO.FileInfo, System.String: not read by any rule")
    assert read().ignored_reason == "Export-Clixml of no objects: not read by any rule"


def test_unknown_types_beside_known_ones_are_skipped() -> None:
    found = read(typed("System.IO.FileInfo", '<S N="Name">a.txt</S>'), msol_user("<LST />", ref_id=10))
    assert [(p.collection, [pointer for pointer, _ in p.items], p.positions) for p in found.pieces] == [
        (identify.USERS, ["/Objs/1"], ((3, 1),)),
        (identify.PER_USER_MFA, ["/Objs/1"], ((3, 1),)),
    ]


def test_a_list_written_as_one_object_gives_each_member_its_pointer_and_line() -> None:
    found = read('<Obj RefId="100"><TN RefId="100"><T>System.Object[]</T></TN><LST>',
                 msol_user("<LST />", ref_id=0), msol_user("<LST />", ref_id=10), "</LST></Obj>")
    assert [(pointer, line) for piece in found.pieces[:1] for (pointer, _), (line, _) in
            zip(piece.items, piece.positions or (), strict=False)] == [("/Objs/0/0", 3), ("/Objs/0/1", 4)]


def test_lines_stay_exact_past_what_the_xml_parser_counts() -> None:
    padding = "\r\n" * 70_000
    text = document(msol_user("<LST />"), padding + msol_user("<LST />", ref_id=10),
                    padding + "<!-- a <comment> -->\n" + msol_user("<LST />", ref_id=20))
    found = read_clixml(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert found.pieces[0].positions == ((2, 1), (70_003, 1), (140_005, 1))
    bad = document(padding + '<Obj RefId="0"><Props>\n<I32 N="Size">big</I32></Props></Obj>')
    with pytest.raises(DecodeError) as caught:
        read_clixml(bad.encode("utf-8"))
    assert caught.value.line == 70_003


# ---------------------------------------------------------------------------- the e3-gaps tenant as Export-Clixml


def graph_items(name: str) -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = json.loads((SAMPLE / name).read_text(encoding="utf-8"))["value"]
    return value


def parsed(collection: str, objects: list[Any]) -> list[Any]:
    return [_content(PARSERS[collection](obj, Origin("file", ""))) for obj in objects]


def test_the_fixtures_replace_the_files_they_name() -> None:
    assert (FIXTURES / "replaces.txt").read_text(encoding="utf-8").split() == [
        "users.json", "conditional-access-policies.json", "per-user-mfa-requirements.json"]


def test_msonline_users_build_the_same_users_as_graph() -> None:
    data = (FIXTURES / "users.xml").read_bytes()
    assert data.startswith(codecs.BOM_UTF16_LE) and "\r\n" in data.decode("utf-16")
    found = read_clixml(data)
    assert found.diagnostics == ()
    users = [obj for _, obj in items(found, identify.USERS)]
    assert parsed(identify.USERS, users) == parsed(identify.USERS, graph_items("users.json"))
    states = [(obj["userPrincipalName"], obj["perUserMfaState"]) for _, obj in items(found, identify.PER_USER_MFA)]
    assert states == [(user["userPrincipalName"], "disabled") for user in graph_items("users.json")]


def test_sdk_policies_build_the_same_policies_as_graph() -> None:
    found = read_clixml((FIXTURES / "ca-policies.xml").read_bytes())
    assert found.diagnostics == ()
    policies = [obj for _, obj in items(found, identify.CA_POLICIES)]
    assert parsed(identify.CA_POLICIES, policies) == parsed(
        identify.CA_POLICIES, graph_items("conditional-access-policies.json"))


@pytest.mark.parametrize("name", ["users.xml", "ca-policies.xml"])
def test_each_item_is_placed_on_the_line_of_its_object(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    lines = data.decode("utf-16" if data.startswith(codecs.BOM_UTF16_LE) else "utf-8").splitlines()
    starts = [number for number, line in enumerate(lines, 1) if line.startswith("  <Obj ")]
    for piece in read_clixml(data).pieces:
        assert [pointer for pointer, _ in piece.items] == [f"/Objs/{i}" for i in range(len(starts))]
        assert piece.positions == tuple((line, 1) for line in starts)
