namespace Kiln.Model
{
    /// <summary>Kiln's diagnostic ids (SPEC section 7).</summary>
    public static class DiagnosticIds
    {
        public const string Cycle = "KILN001";
        public const string NotStaticPartial = "KILN002";
        public const string InvalidNodeMethod = "KILN003";
        public const string TypeMismatch = "KILN004";
        public const string InputTypeConflict = "KILN005";
        public const string UnknownNode = "KILN006";
        public const string NoOutput = "KILN007";
        public const string DuplicateNode = "KILN008";
        public const string InvalidKernel = "KILN009";
        public const string InvalidReduction = "KILN010";
        public const string InvalidStage = "KILN011";
        public const string SeveralKinds = "KILN012";
        public const string ConditionNotBool = "KILN013";
        public const string InvalidMap = "KILN014";
        public const string NotTaskOrMap = "KILN015";
        public const string NotSerializable = "KILN016";
        public const string ReservedName = "KILN017";
        public const string PrivateSignatureType = "KILN018";
        public const string UnholdableType = "KILN019";
        public const string DistributedRunsHere = "KILN020";
        public const string KernelAllocation = "KILN101";
        public const string KernelException = "KILN102";
        public const string KernelUnknownCall = "KILN103";
        public const string KernelUnsupported = "KILN104";
        public const string KernelRecursion = "KILN105";
        public const string KernelType = "KILN106";
        public const string KernelStaticField = "KILN107";
        public const string FusionGroup = "KILN200";
    }
}
