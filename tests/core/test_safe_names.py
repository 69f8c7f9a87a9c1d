from corpuslab.core.safe_names import safe_name


def test_names_become_one_safe_path_component() -> None:
    assert safe_name("HuggingFaceFW/fineweb-edu") == "HuggingFaceFW_fineweb-edu"
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("..") == safe_name("///") == "unnamed"
    assert safe_name("日本語 wiki") == "wiki"
    assert len(safe_name("a" * 500)) == 120
